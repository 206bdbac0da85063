"""Conformance tests of the gen_statem engine against OTP 25 semantics."""
