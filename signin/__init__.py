"""Staff sign-in: a second factor for the admin (django-otp), lockouts after failed logins
(django-axes), admin session limits, and the security headers of every response (django-csp).

A foundation: it knows organizations' roles (who must use a second factor) and nothing of the
plugins."""
