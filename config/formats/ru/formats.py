# Templates show dates with |date:"DATE_FORMAT"; Russian readers see "11 февраля 2014"
# (E is the month's name in the genitive, as a Russian date needs it).
DATE_FORMAT = "j E Y"
# Date and time together, with |date:"DATETIME_FORMAT": "11 февраля 2014, 10:30".
DATETIME_FORMAT = "j E Y, H:i"
