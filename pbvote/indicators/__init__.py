"""The charter's section 13 indicators: computed from the other domains' data,
shown on a public dashboard and published in quarterly and annual reports."""
