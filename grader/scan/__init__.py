"""Reading submissions' source without running it: the integrity scan and similarity between classmates."""
