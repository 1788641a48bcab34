"""Alpha Tech (alice's account): a cloud and software group with entities in six provinces.

Clean filings unless a website carries ``problems``; see ``filings.demo.spec``.
"""

from __future__ import annotations

from filings.choices import ContentCategory as C
from filings.choices import EntityType, IdType
from filings.demo.spec import (
    NOT_IN_ZONE,
    OTHER_CDN_ZONE,
    OUR_CDN_ZONE,
    DemoDomain,
    DemoEntity,
    DemoPerson,
    DemoWebsite,
    at_address,
    cname_to,
    credit_code,
    on_ipv6_only,
    on_load_balancer,
    on_servers,
    site,
    with_wrong_check_character,
)

TENANT = "alpha"
XINNET = "北京新网数码信息技术有限公司"
EJEE = "厦门易名科技股份有限公司"

# The tables below are laid out by hand, one person or website to a few lines.
# fmt: off

ALPHA_CLOUD = DemoEntity(
    key="alpha-cloud", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="北京阿尔法云计算有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "110108", 56231847),
    province="110000", address="北京市海淀区中关村软件园10号楼",
    # Beijing lets the entity head differ from the legal representative (with a power
    # of attorney), which the demo shows here.
    head=DemoPerson("li-ming", "李明", "110108", "19860214", 11, "+8613910010001",
                    landline="+861062781002", email="liming@alpha-cloud.example",
                    verified_days_ago=5),
    legal_representative="周建国",
    office_phone="+861062781001", emergency_phone="+8618610030001",
    email="icp@alpha-cloud.example", filing_number="京ICP备13027415号",
    people=(
        DemoPerson("chen-xiao", "陈晓", "110105", "19910707", 23, "+8613910010002",
                   email="chenxiao@alpha-cloud.example", verified_days_ago=9),
    ),
    websites=(
        DemoWebsite("阿尔法云官网", C.CORPORATE, (
            DemoDomain("alpha-cloud.example", on_servers(10, ipv6=True)),
            DemoDomain("alpha-cloud.test", on_servers(10), registrar=XINNET),
        )),
        site("阿尔法云开发者社区", C.FORUM, "alphadev.example", on_load_balancer(10),
             head="chen-xiao"),
        site("阿尔法云商城", C.ECOMMERCE, "alphashop.example", on_servers(11)),
        site("阿尔法在线学院", C.EDUCATION, "alpha-academy.example", on_ipv6_only(12),
             head="chen-xiao",
             contrasts=(("dns_ip_ownership", "IPv6 only: its one AAAA record is ours."),)),
        site("阿尔法云文档中心", C.CORPORATE, "alpha-docs.example", on_servers(13),
             missing_materials=frozenset({"verification_form"}),
             problems=(("required_materials",
                        "The website verification form was never uploaded."),)),
    ),
)

ALPHA_SHANGHAI = DemoEntity(
    key="alpha-sh", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="上海阿尔法信息技术有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "310104", 60318254),
    province="310000", address="上海市徐汇区漕溪北路88号",
    head=DemoPerson("zhao-lei", "赵磊", "310104", "19830519", 31, "+8613910010011",
                    landline="+862154001202", email="zhaolei@alpha-sh.example",
                    verified_days_ago=12),
    office_phone="+862154001201", emergency_phone="+8618610030011",
    email="icp@alpha-sh.example", filing_number="沪ICP备2021018866号",
    people=(
        # The "mobile" on file is a Shanghai landline: no SMS can reach it.
        DemoPerson("sun-yue", "孙悦", "310104", "19920303", 47, "+862154001299",
                   email="sunyue@alpha-sh.example", verified_days_ago=20),
    ),
    websites=(
        site("阿尔法数据平台", C.CORPORATE, "alpha-data.example", on_servers(20)),
        site("阿尔法企业服务", C.CORPORATE, "alpha-biz.example", on_load_balancer(20)),
        site("阿尔法上海活动站", C.CORPORATE, "alpha-events.example", on_servers(21),
             form_signed_days_ago=200,
             problems=(("required_materials", "Shanghai: the verification form was signed "
                        "200 days ago, more than the 90 days Shanghai accepts."),)),
        DemoWebsite("阿尔法云存储", C.CORPORATE, (
            DemoDomain("alpha-storage.example", on_servers(22), expires_in_days=120),
        ), problems=(("domain_expiry", "Shanghai: the domain expires in 120 days, inside "
                      "Shanghai's 180-day margin (it would pass elsewhere)."),)),
        site("阿尔法招聘", C.CORPORATE, "alpha-jobs.example", on_servers(23), head="sun-yue",
             problems=(("contact_reachability",
                        "The website head's mobile number is a landline (021…)."),)),
    ),
)

ALPHA_JIANGSU = DemoEntity(
    key="alpha-js", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="江苏阿尔法软件有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "320102", 71402398),
    province="320000", address="江苏省南京市玄武区珠江路699号",
    head=DemoPerson("wu-qiang", "吴强", "320102", "19850922", 52, "+8613910010021",
                    landline="+862584001302", email="wuqiang@alpha-js.example",
                    verified_days_ago=3),
    # Jiangsu lets the entity head differ from the legal representative.
    legal_representative="钱立",
    office_phone="+862584001301", emergency_phone="+8618610030021",
    email="icp@alpha-js.example", filing_number="苏ICP备2020045512号",
    websites=(
        site("阿尔法软件官网", C.CORPORATE, "alpha-soft.example", on_servers(30, ipv6=True)),
        site("阿尔法工单系统", C.CORPORATE, "alpha-ticket.example", on_load_balancer(30)),
        site("阿尔法镜像站", C.CORPORATE, "alpha-mirror.example", at_address("203.0.113.7"),
             problems=(("dns_ip_ownership", "The domain resolves to 203.0.113.7, which is "
                        "not one of our networks."),)),
    ),
)

ALPHA_GUANGDONG = DemoEntity(
    key="alpha-gd", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="广东阿尔法电子商务有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "440106", 80517263),
    province="440000", address="广东省广州市天河区天河路385号",
    head=DemoPerson("huang-hai", "黄海", "440106", "19870130", 64, "+8613910010031",
                    landline="+862038001402", email="huanghai@alpha-gd.example",
                    verified_days_ago=18),
    office_phone="+862038001401", emergency_phone="+8618610030031",
    email="icp@alpha-gd.example", filing_number="粤ICP备2022067731号",
    people=(
        DemoPerson("lin-jing", "林静", "440106", "19950811", 75, "+8613910010032",
                   email="linjing@alpha-gd.example", verified_days_ago=None),
    ),
    websites=(
        site("阿尔法优选商城", C.ECOMMERCE, "alpha-mall.example",
             cname_to(f"alpha-mall.{OUR_CDN_ZONE}"),
             contrasts=(("dns_ip_ownership", "A CNAME chain (two hops) into our own CDN."),)),
        DemoWebsite("阿尔法跨境购", C.ECOMMERCE, (
            DemoDomain("alpha-global.example", on_servers(40), registrar=EJEE),
        )),
        site("阿尔法会员中心", C.CORPORATE, "alpha-member.example", on_servers(41),
             head="lin-jing",
             problems=(("contact_reachability", "The website head's mobile number has "
                        "never passed SMS verification."),)),
    ),
)

ALPHA_GUIZHOU = DemoEntity(
    key="alpha-gz", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="贵州阿尔法大数据有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "520102", 91625037),
    province="520000", address="贵州省贵阳市观山湖区长岭北路66号",
    head=DemoPerson("yang-fan", "杨帆", "520102", "19890405", 81, "+8613910010041",
                    landline="+8685186001502", email="yangfan@alpha-gz.example",
                    verified_days_ago=30),
    office_phone="+8685186001501", emergency_phone="+8618610030041",
    email="icp@alpha-gz.example", filing_number="黔ICP备2026001073号",
    websites=(
        site("阿尔法大数据官网", C.CORPORATE, "alpha-bigdata.example", on_servers(50)),
        site("阿尔法数据中台", C.CORPORATE, "alpha-datahub.example",
             cname_to(f"alpha-datahub.{OTHER_CDN_ZONE}"),
             problems=(("dns_ip_ownership", "The domain is a CNAME to another provider's "
                        "CDN (othercdn.example.net): cannot tell who serves it."),)),
        site("阿尔法测试环境", C.CORPORATE, "alpha-staging.example", at_address("10.0.0.8"),
             problems=(("dns_ip_ownership",
                        "The domain resolves to 10.0.0.8, a reserved private address."),)),
        site("阿尔法旧版官网", C.CORPORATE, "alpha-legacy.example", NOT_IN_ZONE,
             problems=(("dns_ip_ownership",
                        "The domain does not exist in DNS (NXDOMAIN)."),)),
    ),
)

WANG_FANG = DemoPerson("wang-fang", "王芳", "330106", "19930617", 92, "+8613910010051",
                       email="wangfang@wangfang-photo.example", verified_days_ago=25)

ALPHA_WANG_FANG = DemoEntity(
    key="wang-fang", tenant=TENANT, entity_type=EntityType.INDIVIDUAL,
    name=WANG_FANG.name,
    id_type=IdType.RESIDENT_ID, id_number=WANG_FANG.id_number,
    province="330000", address="浙江省杭州市西湖区文三路90号",
    head=WANG_FANG,
    emergency_phone="+8618610030051",
    email=WANG_FANG.email, filing_number="浙ICP备2023029184号",
    websites=(
        site("王芳的摄影日志", C.PERSONAL_BLOG, "wangfang-photo.example", on_servers(60)),
        site("王芳旅行笔记", C.PERSONAL_BLOG, "wangfang-travel.example", on_servers(61)),
        # The entity itself is a genuine individual (a resident ID, a person's name), so
        # entity_identity passes; what is wrong is the content a personal filing carries.
        site("摄影爱好者论坛", C.FORUM, "photo-forum.example", on_servers(62), problems=(
            ("content_consistency",
             "A personal filing is used for an organisation's site: an individual hosts "
             "a forum."),
        )),
    ),
)

# The check character of this credit code is wrong everywhere we hold it (entity,
# registrar, bureau): a typo made at filing time, caught only by the checksum.
_YUNNAN_CODE = with_wrong_check_character(credit_code("91", "530102", 10384756))

ALPHA_YUNNAN = DemoEntity(
    key="alpha-yn", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="云南阿尔法旅游发展有限公司",
    id_type=IdType.USCC, id_number=_YUNNAN_CODE,
    province="530000", address="云南省昆明市五华区东风西路11号",
    head=DemoPerson("duan-yun", "段云", "530102", "19840229", 103, "+8613910010061",
                    landline="+8687163001702", email="duanyun@yunnan-travel.example",
                    verified_days_ago=16),
    office_phone="+8687163001701", emergency_phone="+8618610030061",
    email="icp@yunnan-travel.example", filing_number="滇ICP备2024010356号",
    websites=(
        site("彩云之南旅游网", C.CORPORATE, "yunnan-travel.example", on_servers(70),
             problems=(("entity_identity", "The entity's unified social credit code has a "
                        "wrong check character."),)),
    ),
)

_LIU_YANG = DemoPerson("liu-yang", "刘洋", "110105", "19900101", 114, "+8613910010071",
                       email="liuyang@alpha-marketing.example", verified_days_ago=8)

ALPHA_MARKETING = DemoEntity(
    key="alpha-marketing", tenant=TENANT, entity_type=EntityType.ENTERPRISE,
    name="北京阿尔法数字营销有限公司",
    id_type=IdType.USCC, id_number=credit_code("91", "110105", 22873590),
    province="110000", address="北京市朝阳区建国路93号",
    head=_LIU_YANG,
    # Beijing: the office phone must differ from the entity head's mobile. Here it does not.
    office_phone=_LIU_YANG.mobile, emergency_phone="+8618610030071",
    email="icp@alpha-marketing.example", filing_number="京ICP备2025008812号",
    websites=(
        site("阿尔法营销云", C.CORPORATE, "alpha-marketing.example", on_servers(80),
             problems=(("contact_reachability", "Beijing: the entity's office phone is the "
                        "entity head's mobile number."),)),
    ),
)

# fmt: on

ALPHA_ENTITIES: tuple[DemoEntity, ...] = (
    ALPHA_CLOUD,
    ALPHA_SHANGHAI,
    ALPHA_JIANGSU,
    ALPHA_GUANGDONG,
    ALPHA_GUIZHOU,
    ALPHA_WANG_FANG,
    ALPHA_YUNNAN,
    ALPHA_MARKETING,
)
