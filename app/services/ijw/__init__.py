"""iJw messages (iStandaarden iJw 3.2): the allocations we send (JW301) when an engagement is
accepted, withdrawn or closed, and the messages provider systems send us — start and end of
care (JW305/JW307), requests for and changes of an allocation (JW315/JW317), claims (JW323) —
checked in three layers (schema, rules within the message, rules across messages), applied
through the engagement and money services and answered with their return messages.
"""

MAY_USE: tuple[str, ...] = ("platform", "reference", "families", "referrals", "money", "engagements")
