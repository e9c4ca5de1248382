"""Products: a producer's validated process specification per food, its registration scheme,
amendments and pages."""
