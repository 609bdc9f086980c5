# Django's Arabic formats group no digits (NUMBER_GROUPING 0): 349237000,25. Councils in Algeria and Morocco
# group them by three, as CLDR's ar-DZ and ar-MA do: 349.237.000,25.
NUMBER_GROUPING = 3
