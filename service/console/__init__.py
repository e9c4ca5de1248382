"""The console shell: sessions and sign-in, CSRF, language, the layout, static files, flashes."""
