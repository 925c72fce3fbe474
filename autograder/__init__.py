"""Autograded homework kit for a self-supervised learning course."""
