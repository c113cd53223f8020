"""The demo letter that `manage.py seed_demo` creates: modelled on the 2020 call by more than
300 civil society groups from more than 60 countries for a UN mechanism on China."""

DEMO_SLUG = "un-china-rights"

DEMO_LETTER = {
    "title": (
        "Civil society groups worldwide urge the UN to establish an independent mechanism "
        "on human rights violations in China"
    ),
    "addressee": (
        "the UN Secretary-General, the UN High Commissioner for Human Rights, "
        "and the member states of the UN Human Rights Council"
    ),
    "summary": (
        "Organisations from every region call on the UN Human Rights Council to convene a special "
        "session and create an independent international mechanism to monitor and report on "
        "human rights violations by the Chinese government."
    ),
    "goal": 400,
    "requires_approval": True,
    "body": """\
Excellencies,

We, the undersigned civil society organisations from every region of the world, write to urge
you to act without further delay on the grave human rights violations committed by the
government of the People's Republic of China.

For years, United Nations experts, treaty bodies and special procedures have raised alarm about:

- the arbitrary detention of **more than a million** Uyghurs and other Turkic Muslims in the
  Xinjiang Uyghur Autonomous Region, and the surveillance, forced labour and family separation
  that surround it;
- the repression of Tibetans' freedom of religion, expression and movement;
- the dismantling of fundamental freedoms in Hong Kong under the National Security Law;
- the persecution of human rights defenders, lawyers, journalists and their families throughout
  the country, and reprisals against those who engage with the UN.

The Chinese government has rejected these concerns and has refused unfettered access to the
UN High Commissioner and to independent experts. Statements alone have not changed its conduct.

## What we ask

1. That the Human Rights Council convene a **special session** to evaluate the range of the
   Chinese government's human rights violations.
2. That the Council create an **independent international mechanism**, such as a special
   rapporteur, a panel of experts or a commission of inquiry, to monitor, analyse and report
   annually on the situation.
3. That UN member states take timely and decisive action, including at the General Assembly,
   to ensure accountability and an end to these violations.

No state should be above scrutiny at the Council. The credibility of the UN human rights system
depends on applying the same standards to the powerful as to the weak.

Respectfully,

*The undersigned organisations*
""",
}
