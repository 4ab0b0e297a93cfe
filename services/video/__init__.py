"""Video wall logic without Qt or vlc: which stream each tile plays, tiers, load step-down, URL checks."""
