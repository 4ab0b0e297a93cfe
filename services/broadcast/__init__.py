"""Broadcast content and targets (issue 7): the clip library, uploads, text-to-speech, saved groups.

No Qt here: the hub and the console both use it, and the hub runs on servers without a GUI.
"""
