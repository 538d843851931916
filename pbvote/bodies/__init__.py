"""Advisory bodies in public: mandate, members, meetings, opinions, reviews."""
