"""The content slugs docs/design.md promises ("The shipped content"); tests of the fixtures
and of the scenario set read them."""

DESIGN_FAULTS = {
    "trunk-wont-open": {
        "car-battery-discharged",
        "key-fob-battery",
        "key-desynchronized",
        "trunk-fuse-blown",
        "bcm-software-glitch",
        "release-cable-broken",
        "lock-frozen",
        "lock-actuator-failed",
        "lock-contacts-oxidized",
        "lock-gears-jammed",
        "handle-broken",
    },
    "trunk-opens-then-closes": {"latch-misadjusted", "lid-springs-worn", "closure-sensor-faulty"},
}
DESIGN_SYMPTOMS = {
    "no-sound-on-press",
    "motor-clicks-lid-stays",
    "key-button-dead-lid-button-works",
    "doors-lock-unlock-ok",
    "car-electrics-weak",
    "handle-no-resistance",
    "freezing-temperature",
    "voltage-at-lock",
    "lid-press-releases",
    "water-near-lock",
    "handle-cracked",
    "dashboard-lock-error",
    "key-not-detected",
    "high-mileage-yanked",
}
