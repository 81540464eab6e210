"""Members (patients), their eligibility, treating physicians and experts."""
