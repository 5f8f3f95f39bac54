"""LINE adapter: webhook intake, persistent queue worker, rendering, rich menus, playground.

This package (and only this package under ``bot/``) may import ``linebot.v3``.
"""
