"""Beta Media (bob's account): media, finance, associations, a law firm and a blogger.

Clean filings unless a website carries ``problems``; see ``filings.demo.spec``.
"""

from __future__ import annotations

from filings.choices import ContentCategory as C
from filings.choices import EntityType, IdType
from filings.demo.spec import (
    OTHER_PROVIDER,
    OUR_CDN_ZONE,
    DemoDomain,
    DemoEntity,
    DemoPerson,
    DemoWebsite,
    PreApproval,
    cname_to,
    credit_code,
    on_load_balancer,
    on_servers,
    site,
)

TENANT = "beta"
WEST263 = "成都西维数码科技有限公司"
TODAYNIC = "广东时代互联科技有限公司"

# The tables below are laid out by hand, one person or website to a few lines.
# fmt: off

BETA_SHANGHAI = DemoEntity(
    key="beta-sh", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="上海贝塔文化传媒有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "310104", 33519086),
    province="310000", address="上海市静安区南京西路1266号",
    head=DemoPerson("zheng-wen", "郑文", "310104", "19820708", 201, "+8613820020001",
                    landline="+862162881002", email="zhengwen@beta-group.example",
                    verified_days_ago=6),
    office_phone="+862162881001", emergency_phone="+8618620040001",
    email="icp@beta-group.example", filing_number="沪ICP备15032876号",
    people=(
        DemoPerson("xu-lan", "徐岚", "310104", "19940412", 202, "+8613820020002",
                   email="xulan@beta-group.example", verified_days_ago=11),
    ),
    websites=(
        DemoWebsite("贝塔集团官网", C.CORPORATE, (
            DemoDomain("beta-group.example", on_servers(100, ipv6=True)),
            DemoDomain("beta-group.test", on_servers(100)),
        )),
        site("贝塔新闻网", C.NEWS, "beta-news.example", on_servers(101), head="xu-lan",
             problems=(
                 ("content_consistency", "A news site without a news pre-approval."),
                 ("required_materials",
                  "A news site: the pre-approval document is missing too."),
             )),
        site("贝塔文化频道", C.CULTURE, "beta-culture.example", on_load_balancer(100),
             head="xu-lan",
             pre_approvals=(
                 PreApproval("culture", "沪网文〔2024〕1832-112号", "上海市文化和旅游局"),
             )),
        site("贝塔活动报名", C.CORPORATE, "beta-events.example", on_servers(102)),
        site("贝塔摄影大赛", C.CORPORATE, "beta-photo.example",
             cname_to(f"beta-photo.{OUR_CDN_ZONE}")),
    ),
)

_HE_CHUAN = DemoPerson("he-chuan", "何川", "510122", "19850312", 211, "+8613820020011",
                       landline="+862886001802", email="hechuan@beta-net.example",
                       verified_days_ago=4)

BETA_SICHUAN = DemoEntity(
    key="beta-sc", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="四川贝塔网络科技有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "510100", 44620719),
    province="510000", address="四川省成都市高新区天府大道北段1700号",
    head=_HE_CHUAN,
    office_phone="+862886001801", emergency_phone="+8618620040011",
    email="icp@beta-net.example", filing_number="蜀ICP备2022036615号",
    websites=(
        DemoWebsite("贝塔网络官网", C.CORPORATE, (
            DemoDomain("beta-net.example", on_servers(110), registrar=WEST263),
        )),
        DemoWebsite("贝塔技术中心", C.CORPORATE, (
            DemoDomain("beta-tech.example", on_servers(111), registrar=WEST263,
                       registrant=_HE_CHUAN.name),
        ), problems=(("domain_owner", "The domain is registered to the entity head "
                      "personally (何川), not to the entity."),)),
        DemoWebsite("贝塔开发者平台", C.CORPORATE, (
            DemoDomain("beta-dev.example", on_load_balancer(110), registrar=WEST263,
                       real_name_status="pending"),
        ), problems=(("domain_owner",
                      "The domain's real-name verification is still pending."),)),
        DemoWebsite("贝塔在线客服", C.CORPORATE, (
            DemoDomain("beta-support.example", on_servers(112), registrar=WEST263,
                       registrant="", real_name_status="unknown"),
        ), problems=(("domain_owner", "The registrar gives no registrant data and the "
                      "domain certificate names no holder: cannot tell."),)),
    ),
)

BETA_ZHEJIANG = DemoEntity(
    key="beta-zj", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="浙江贝塔信息服务有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "330102", 55731840),
    province="330000", address="浙江省杭州市上城区钱江路1366号",
    head=DemoPerson("shen-jie", "沈杰", "330102", "19860909", 221, "+8613820020021",
                    landline="+8657188001602", email="shenjie@beta-wealth.example",
                    verified_days_ago=21),
    office_phone="+8657188001601", emergency_phone="+8618620040021",
    email="icp@beta-wealth.example", filing_number="浙ICP备2024051207号",
    websites=(
        site("贝塔财富", C.FINANCE, "beta-wealth.example", on_servers(120),
             pre_approvals=(
                 PreApproval("finance", "浙金管许〔2025〕0047号", "浙江省地方金融管理局"),
             ),
             contrasts=(("content_consistency", "A finance site with its pre-approval."),)),
        DemoWebsite("贝塔企业服务站", C.CORPORATE, (
            DemoDomain("beta-zj-corp.example", on_servers(121), expires_in_days=120),
        ), contrasts=(("domain_expiry", "Zhejiang: the domain expires in 120 days, more "
                       "than Zhejiang's 90-day margin."),)),
        DemoWebsite("贝塔职场课堂", C.EDUCATION, (
            DemoDomain("beta-class.example", on_servers(122), expires_in_days=-15),
        ), problems=(("domain_expiry", "The domain expired 15 days ago."),)),
    ),
)

BETA_GUIZHOU_ASSOCIATION = DemoEntity(
    key="beta-gz-assoc", tenant=TENANT, entity_type=EntityType.SOCIAL_ORGANISATION,
    name="贵州省数字创意促进会",
    id_type=IdType.USCC, id_number=credit_code("51", "520103", 66842951),
    province="520000", address="贵州省贵阳市云岩区中华北路242号",
    head=DemoPerson("luo-ming", "罗明", "520103", "19860321", 231, "+8613820020031",
                    landline="+8685186001512", email="luoming@gzdca.example",
                    verified_days_ago=33),
    office_phone="+8685186001511", emergency_phone="+8618620040031",
    email="office@gzdca.example", filing_number="黔ICP备2023004471号",
    people=(
        DemoPerson("lu-ping", "陆平", "520103", "19880606", 232, "+8613820020032",
                   email="luping@gzdca.example", verified_days_ago=2),
    ),
    websites=(
        site("贵州数字创意促进会", C.CORPORATE, "gzdca.example", on_servers(130)),
        site("促进会会员之家", C.CORPORATE, "gzdca-member.example", on_servers(131),
             head="lu-ping"),
    ),
)

BETA_YUNNAN_INSTITUTE = DemoEntity(
    key="beta-yn-inst", tenant=TENANT, entity_type=EntityType.PUBLIC_INSTITUTION,
    name="云南省民族研究中心",
    id_type=IdType.USCC, id_number=credit_code("12", "530103", 77953062),
    province="530000", address="云南省昆明市盘龙区北京路155号",
    head=DemoPerson("li-tong", "李彤", "530103", "19870815", 241, "+8613820020041",
                    landline="+8687163001712", email="litong@ynethnic.example",
                    verified_days_ago=10),
    office_phone="+8687163001711", emergency_phone="+8618620040041",
    email="office@ynethnic.example", filing_number="滇ICP备2021007709号",
    websites=(
        site("云南民族研究中心", C.CORPORATE, "ynethnic.example", on_servers(140)),
        site("民族研究数字资源库", C.EDUCATION, "ynethnic-archive.example",
             on_load_balancer(140)),
    ),
)

BETA_JIANGSU = DemoEntity(
    key="beta-js", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="江苏贝塔教育科技有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "320104", 88064173),
    province="320000", address="江苏省南京市秦淮区中山南路49号",
    # Jiangsu requires a landline; neither the entity nor its head gives one.
    head=DemoPerson("xu-nuo", "许诺", "320104", "19920229", 251, "+8613820020051",
                    email="xunuo@beta-learn.example", verified_days_ago=7),
    office_phone="+8613820020059", emergency_phone="+8618620040051",
    email="icp@beta-learn.example", filing_number="苏ICP备2025019930号",
    websites=(
        site("贝塔学习平台", C.EDUCATION, "beta-learn.example", on_servers(150),
             problems=(("contact_reachability",
                        "Jiangsu: no landline is given for the entity or its head."),)),
    ),
)

BETA_GUIZHOU_DIGITAL = DemoEntity(
    key="beta-gz-digital", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="贵州贝塔数字科技有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "520102", 99175284),
    province="520000", address="贵州省贵阳市南明区遵义路18号",
    head=DemoPerson("tian-yu", "田雨", "520102", "19870717", 261, "+8613820020061",
                    landline="+8685186001522", email="tianyu@beta-digital.example",
                    verified_days_ago=15),
    office_phone="+8685186001521", emergency_phone="+8618620040061",
    email="icp@beta-digital.example", filing_number="黔ICP备2024013350号",
    # The bureau still has the name the company had before it was renamed.
    registry_name="贵州贝塔信息科技有限公司",
    websites=(
        site("贝塔数字科技官网", C.CORPORATE, "beta-digital.example", on_servers(160),
             problems=(("entity_identity", "The bureau's record names the entity "
                        "贵州贝塔信息科技有限公司, not 贵州贝塔数字科技有限公司."),)),
    ),
)

ZHANG_WEI = DemoPerson("zhang-wei", "张伟", "510122", "19960118", 271, "+8613820020071",
                       email="zhangwei@zhangwei-blog.example", verified_days_ago=27)

BETA_ZHANG_WEI = DemoEntity(
    key="zhang-wei", tenant=TENANT, entity_type=EntityType.INDIVIDUAL,
    name=ZHANG_WEI.name,
    id_type=IdType.RESIDENT_ID, id_number=ZHANG_WEI.id_number,
    province="510000", address="四川省成都市双流区东升街道藏卫路12号",
    head=ZHANG_WEI,
    emergency_phone="+8618620040071",
    email=ZHANG_WEI.email, filing_number="蜀ICP备2025040218号",
    websites=(
        DemoWebsite("张伟的技术博客", C.PERSONAL_BLOG, (
            DemoDomain("zhangwei-blog.example", on_servers(170), registrar=WEST263),
            # An internationalised domain: stored and written in the zone as xn--….
            DemoDomain("张伟博客.example", on_servers(170), registrar=WEST263),
        )),
        site("张伟的跑步日记", C.PERSONAL_BLOG, "zhangwei-run.example", on_servers(171)),
    ),
)

BETA_LAW_FIRM = DemoEntity(
    key="beta-law", tenant=TENANT, entity_type=EntityType.LAW_FIRM,
    name="广东贝塔律师事务所",
    id_type=IdType.USCC, id_number=credit_code("31", "440106", 11286395),
    province="440000", address="广东省广州市天河区珠江新城华夏路10号",
    head=DemoPerson("liang-zhicheng", "梁志成", "440106", "19850503", 281, "+8613820020081",
                    landline="+862038001412", email="liang@beta-law.example",
                    verified_days_ago=19),
    office_phone="+862038001411", emergency_phone="+8618620040081",
    email="office@beta-law.example", filing_number="粤ICP备2023052277号",
    websites=(
        DemoWebsite("贝塔律师事务所", C.CORPORATE, (
            DemoDomain("beta-law.example", on_servers(180), registrar=TODAYNIC),
        )),
        DemoWebsite("贝塔法律咨询", C.CORPORATE, (
            DemoDomain("beta-legal.example", on_servers(181), registrar=TODAYNIC),
        ), registry_providers=(OTHER_PROVIDER,),
           problems=(("access_provider", "The bureau lists only other-cloud as the access "
                      "provider of this website."),)),
    ),
)

BETA_FOUNDATION = DemoEntity(
    key="beta-foundation", tenant=TENANT, entity_type=EntityType.FOUNDATION,
    name="北京贝塔公益基金会",
    id_type=IdType.USCC, id_number=credit_code("53", "110108", 12397406),
    province="110000", address="北京市西城区金融大街7号",
    head=DemoPerson("gao-yuan", "高远", "110108", "19700919", 291, "+8613820020091",
                    landline="+861066001902", email="gaoyuan@beta-charity.example",
                    verified_days_ago=13),
    office_phone="+861066001901", emergency_phone="+8618620040091",
    email="office@beta-charity.example", filing_number="京ICP备2022030519号",
    websites=(
        site("贝塔公益", C.CORPORATE, "beta-charity.example", on_servers(190)),
        site("贝塔助学行动", C.CORPORATE, "beta-aid.example", on_servers(191)),
    ),
)

BETA_TRAINING = DemoEntity(
    key="beta-training", tenant=TENANT, entity_type=EntityType.PRIVATE_NON_ENTERPRISE,
    name="上海贝塔职业技能培训中心",
    id_type=IdType.USCC, id_number=credit_code("52", "310104", 13408517),
    province="310000", address="上海市浦东新区张江路665号",
    head=DemoPerson("qian-cheng", "钱程", "310104", "19841111", 301, "+8613820020101",
                    landline="+862150801002", email="qiancheng@beta-training.example",
                    verified_days_ago=22),
    office_phone="+862150801001", emergency_phone="+8618620040101",
    email="office@beta-training.example", filing_number="沪ICP备2024060013号",
    websites=(
        site("贝塔职业培训中心", C.EDUCATION, "beta-training.example", on_servers(200)),
        site("贝塔在线考试", C.EDUCATION, "beta-exam.example", on_load_balancer(101)),
    ),
)

# fmt: on

BETA_ENTITIES: tuple[DemoEntity, ...] = (
    BETA_SHANGHAI,
    BETA_SICHUAN,
    BETA_ZHEJIANG,
    BETA_GUIZHOU_ASSOCIATION,
    BETA_YUNNAN_INSTITUTE,
    BETA_JIANGSU,
    BETA_GUIZHOU_DIGITAL,
    BETA_ZHANG_WEI,
    BETA_LAW_FIRM,
    BETA_FOUNDATION,
    BETA_TRAINING,
)
