from filings.models.application import Application
from filings.models.entity import Entity, Person
from filings.models.material import Material, MaterialRequirement
from filings.models.miit import BureauSubmission, FilingNumberCounter, MiitVerification
from filings.models.province import ProvinceRule
from filings.models.registry import ProviderNetwork, RegistryDomain, RegistryRecord
from filings.models.website import Domain, Website

__all__ = [
    "Application",
    "BureauSubmission",
    "Domain",
    "Entity",
    "FilingNumberCounter",
    "Material",
    "MaterialRequirement",
    "MiitVerification",
    "Person",
    "ProviderNetwork",
    "ProvinceRule",
    "RegistryDomain",
    "RegistryRecord",
    "Website",
]
