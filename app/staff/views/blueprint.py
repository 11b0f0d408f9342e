"""The staff blueprint, on its own so that view modules import it without importing each other."""

from flask import Blueprint

bp = Blueprint("staff", __name__)
