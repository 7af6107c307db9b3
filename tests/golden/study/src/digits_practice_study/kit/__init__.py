"""The template's machinery: code the template owns and its updates maintain."""
