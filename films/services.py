"""The film plugin's services: the one way in for imports, the admin and the demo."""
