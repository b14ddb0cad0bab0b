#!/usr/bin/env python3
"""The reference CDK app: ``cdk synth`` (or ``make synth``) runs this file."""

from kit.reference_app import build_reference_app

build_reference_app().synth()
