# Templates show dates with |date:"DATE_FORMAT"; English readers see "11 Feb 2014".
DATE_FORMAT = "j M Y"
