# Templates show dates with |date:"DATE_FORMAT"; English readers see "11 Feb 2014".
DATE_FORMAT = "j M Y"
# Date and time together, with |date:"DATETIME_FORMAT": "11 Feb 2014, 10:30".
DATETIME_FORMAT = "j M Y, H:i"
