"""oad: spiders."""
