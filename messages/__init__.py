"""Neutral messages: texts, cards, choices and confirmations, with their limits.

Both the bot conversation (``bot.core``) and the broadcast composer
(``notifications``) build these; each channel renders them in its own style.
This package imports no channel and no platform SDK.
"""
