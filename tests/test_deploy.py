"""The container image and Kubernetes manifests (deploy/): a structural check with no cluster and no network.

Each manifest must be a well-formed object of its kind (a small schema per kind, checked with jsonschema-rs),
parties must run as stateless Deployments and PostgreSQL, Redis and NATS as StatefulSets, every Service must
select a workload, and each party's command line and ``DSOP_*`` variables must be ones the party accepts —
so a renamed setting or option breaks this test, not a deployment.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"

_META = {
    "type": "object",
    "required": ["name", "namespace"],
    "properties": {"name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}},
}
_CONTAINER = {
    "type": "object",
    "required": ["name", "image", "resources"],
    "properties": {
        "image": {"type": "string", "minLength": 1},
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "oneOf": [{"required": ["value"]}, {"required": ["valueFrom"]}],
                "properties": {"value": {"type": "string"}},
            },
        },
        "ports": {"type": "array", "items": {"type": "object", "required": ["containerPort"]}},
        "resources": {"type": "object", "required": ["requests"]},
    },
}
_POD_TEMPLATE = {
    "type": "object",
    "required": ["metadata", "spec"],
    "properties": {
        "metadata": {"type": "object", "required": ["labels"]},
        "spec": {
            "type": "object",
            "required": ["containers"],
            "properties": {"containers": {"type": "array", "minItems": 1, "items": _CONTAINER}},
        },
    },
}


def _workload(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "apps/v1"},
            "metadata": _META,
            "spec": {
                "type": "object",
                "required": ["replicas", "selector", "template", *extra.get("required", [])],
                "properties": {
                    "replicas": {"type": "integer", "minimum": 1},
                    "selector": {"type": "object", "required": ["matchLabels"]},
                    "template": _POD_TEMPLATE,
                    **extra.get("properties", {}),
                },
            },
        },
    }


SCHEMAS = {
    "Namespace": {
        "type": "object",
        "required": ["apiVersion", "metadata"],
        "properties": {"apiVersion": {"const": "v1"}},
    },
    "Secret": {"type": "object", "required": ["apiVersion", "metadata"], "properties": {"metadata": _META}},
    "Service": {
        "type": "object",
        "required": ["apiVersion", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "v1"},
            "metadata": _META,
            "spec": {
                "type": "object",
                "required": ["selector", "ports"],
                "properties": {
                    "ports": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["port"]}}
                },
            },
        },
    },
    "Deployment": _workload({}),
    "StatefulSet": _workload(
        {"required": ["serviceName", "volumeClaimTemplates"], "properties": {"volumeClaimTemplates": {"minItems": 1}}}
    ),
}
STATEFUL = {"postgres", "redis", "nats"}
SETTINGS = {
    "provider": ("opendsop.provider.settings", "ProviderSettings", "DSOP_PROVIDER_"),
    "authority": ("opendsop.authority.settings", "AuthoritySettings", "DSOP_AUTHORITY_"),
    "registers": ("opendsop.registers.settings", "RegistersSettings", "DSOP_REGISTERS_"),
    "relations": ("opendsop.relations.settings", "RelationsSettings", "DSOP_RELATIONS_"),
    "certpub": ("opendsop.certpub.settings", "CertPubSettings", "DSOP_CERTPUB_"),
}


def _documents() -> list[dict[str, Any]]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [document for document in yaml.safe_load_all(path.read_text()) if document]
    return documents


def _containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["spec"]["template"]["spec"]["containers"])


def test_every_manifest_is_a_well_formed_object_of_its_kind() -> None:
    documents = _documents()
    assert {document["kind"] for document in documents} == set(SCHEMAS)
    for document in documents:
        errors = [
            error.message for error in jsonschema_rs.validator_for(SCHEMAS[document["kind"]]).iter_errors(document)
        ]
        assert not errors, f"{document['kind']} {document['metadata'].get('name')}: {errors}"
        if document["kind"] in ("Deployment", "StatefulSet"):  # the selector picks the pod template's labels
            labels = document["spec"]["template"]["metadata"]["labels"]
            assert document["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_parties_are_stateless_deployments_and_the_stores_are_stateful_sets() -> None:
    documents = _documents()
    stateful = {document["metadata"]["name"] for document in documents if document["kind"] == "StatefulSet"}
    assert stateful == STATEFUL
    for document in documents:
        if document["kind"] == "Deployment":
            assert document["spec"]["replicas"] >= 2, "a party runs in several interchangeable replicas"
            assert "volumes" not in document["spec"]["template"]["spec"], "a party keeps no state in its pod"


def test_every_service_selects_a_workload() -> None:
    documents = _documents()
    pods = [
        document["spec"]["template"]["metadata"]["labels"]
        for document in documents
        if document["kind"] in ("Deployment", "StatefulSet")
    ]
    for service in (document for document in documents if document["kind"] == "Service"):
        assert any(service["spec"]["selector"].items() <= labels.items() for labels in pods), service["metadata"][
            "name"
        ]


@pytest.mark.parametrize("party", sorted(SETTINGS))
def test_each_party_is_started_with_options_and_settings_it_accepts(party: str) -> None:
    from typer.main import get_command

    deployments = [
        document
        for document in _documents()
        if document["kind"] == "Deployment" and _containers(document)[0]["args"][0] == party
    ]
    assert deployments, f"no Deployment runs {party}"
    module, name, prefix = SETTINGS[party]
    fields = set(getattr(importlib.import_module(module), name).model_fields)
    serve = get_command(importlib.import_module(f"opendsop.{party}.cli").app).commands["serve"]  # type: ignore[attr-defined]
    options = {option for parameter in serve.params for option in parameter.opts}
    for deployment in deployments:
        container = _containers(deployment)[0]
        args = container["args"]
        assert args[1] == "serve" and "--workers" in args
        assert {arg for arg in args[2:] if arg.startswith("--")} <= options
        names = {variable["name"] for variable in container.get("env", [])}
        unknown = {variable for variable in names if variable.removeprefix(prefix).lower() not in fields}
        assert all(variable.startswith(prefix) for variable in names) and not unknown, unknown


def test_the_image_installs_the_package_and_runs_as_a_user() -> None:
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert "pip wheel" in containerfile and "pip install" in containerfile
    assert 'ENTRYPOINT ["dsop"]' in containerfile
    user = [line for line in containerfile.splitlines() if line.startswith("USER ")]
    assert user and user[-1] != "USER root"
