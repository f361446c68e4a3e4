"""The small worlds of the effect table: each as small and fast as its rows allow.

Constant distributions wherever a row derives an exact figure; a timeout far above the ACK so
that no send fails unless a row says so; many transform cores at 1 ms so that the engine is
not a queue unless a row makes it one.
"""

from __future__ import annotations

WORLDS: dict[str, str] = {
    # One flow, one system, no fault: an M/D/1 queue at utilisation 0.5.
    "one": """
        name: one
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(500ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # A few messages at chosen times (inline trace), ACKs of 10 s: exact waits and orders.
    "burst": """
        name: burst
        horizon: 10min
        flows:
          orders:
            from: ehr
            to: lab
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 1, priority: routine, patient: 2}
              - {time: 2, priority: routine, patient: 3}
              - {time: 3, priority: routine, patient: 4}
        systems:
          lab: {ack: constant(10s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # The lab is down for 20 minutes; sends time out after 5 s and are retried.
    "outage": """
        name: outage
        horizon: 90min
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +10min, for: 20min}
        """,
    # Two destinations with the same load and no fault.
    "two": """
        name: two
        horizon: 1h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 1/s}
          rad-orders: {from: ehr, to: rad, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s, connections: 2}
          rad: {ack: constant(200ms), timeout: 5s, connections: 2}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # Orders with results coming back through the engine, deadlines per class.
    "orders": """
        name: orders
        horizon: 3h
        flows:
          orders:
            from: ehr
            to: lab
            rate: 30/min
            priority: {stat: 0.2, routine: 0.8}
            deadline: {stat: 1h, routine: 4h}
            reply: {flow: results, after: constant(10min)}
          results: {from: lab, to: ehr}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          ehr: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # The orders world with a one-hour lab outage, the paper fallback and clerks.
    "paper": """
        name: paper
        horizon: 3h
        flows:
          orders:
            from: ehr
            to: lab
            rate: 30/min
            priority: {stat: 0.2, routine: 0.8}
            deadline: {stat: 1h, routine: 4h}
            reply: {flow: results, after: constant(10min)}
          results: {from: lab, to: ehr}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          ehr: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +30min, for: 1h}
        fallback: {trigger_after: 10min, share: {stat: 0.9, routine: 0.1}, phone_delay: 15min,
                   duplicate_risk: 0.3}
        staff:
          clerks: {count: 2, back_entry: constant(15s), reconcile: constant(10s)}
        """,
    # A poison message plugs a strict lab channel until the analyst fixes it.
    "poison": """
        name: poison
        horizon: 3h
        flows:
          orders: {from: ehr, to: lab, rate: 12/min}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {order: strict}
        faults:
          - {kind: poison-message, target: lab, at: +30min}
        staff:
          analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: false}
        """,
    # A full engine stall of 20 minutes at 1 message a second.
    "stall": """
        name: stall
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: engine-stall, at: +10min, for: 20min}
        """,
    # A topology without flows or horizon: complete only as a part of another file.
    "topology": """
        name: topology
        systems:
          lab: {ack: constant(500ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    "topology-partial": """
        name: topology-partial
        partial: true
        systems:
          lab: {ack: constant(500ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # The `one` world extended, with a slower lab.
    "child": """
        extends: one.yaml
        name: child
        systems:
          lab: {ack: constant(800ms)}
        """,
    # Three messages replayed from a CSV file, 20 s apart.
    "csvtrace": """
        name: csvtrace
        horizon: 10min
        flows:
          orders: {from: ehr, to: lab, trace: t3.csv}
        systems:
          lab: {ack: constant(10s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # The `one` world with a compare variant.
    "compared": """
        extends: one.yaml
        compare:
          slow: {systems: {lab: {ack: constant(600ms)}}}
        """,
    # Reports to the EHR from radiology (or the lab), while the lab is down for 20 minutes.
    "sender": """
        name: sender
        horizon: 1h
        flows:
          reports: {from: rad, to: ehr, rate: 1/s}
        systems:
          ehr: {ack: constant(200ms), timeout: 5s}
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +10min, for: 20min}
        """,
    # Two destinations, the radiology system down for 20 minutes.
    "twoout": """
        name: twoout
        horizon: 1h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 1/s}
          rad-orders: {from: ehr, to: rad, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: rad, at: +10min, for: 20min}
        """,
    # A poison message on the lab and nobody to fix it.
    "nak": """
        name: nak
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: poison-message, target: lab, at: +10min}
        """,
    # Two destinations on one shared strict queue, a poison message on the lab.
    "plug": """
        name: plug
        horizon: 1h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 12/min}
          rad-orders: {from: ehr, to: rad, rate: 12/min}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {queues: shared}
        faults:
          - {kind: poison-message, target: lab, at: +10min}
        """,
    # Two flows into one lab connection (ACK 500 ms), heavier than it can carry.
    "flows2": """
        name: flows2
        horizon: 10min
        flows:
          a: {from: ehr, to: lab, rate: 1.5/s}
          b: {from: ehr, to: lab, rate: 1.5/s}
        systems:
          lab: {ack: constant(500ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # A heavy and a light flow into one lab: both more than half the lab's capacity.
    "fair": """
        name: fair
        horizon: 1h
        flows:
          heavy: {from: ehr, to: lab, rate: 1/s}
          light: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(600ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {discipline: fair}
        """,
    # Five heavy messages at once, then one light one; ACKs of 10 s.
    "fairburst": """
        name: fairburst
        horizon: 5min
        flows:
          heavy:
            from: ehr
            to: lab
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 0.1, priority: routine, patient: 2}
              - {time: 0.2, priority: routine, patient: 3}
              - {time: 0.3, priority: routine, patient: 4}
              - {time: 0.4, priority: routine, patient: 5}
          light:
            from: ehr
            to: lab
            trace:
              - {time: 0.5, priority: routine, patient: 6}
        systems:
          lab: {ack: constant(10s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # The EHR's inbound channel at 0.9: results of lab orders and ADT-like messages share it.
    "inbound": """
        name: inbound
        horizon: 2h
        flows:
          orders: {from: ehr, to: lab, rate: 12/min, reply: {flow: results, after: constant(1min)}}
          results: {from: lab, to: ehr}
          notes: {from: lab, to: ehr, rate: 42/min}
        systems:
          lab: {ack: constant(200ms), timeout: 1h}
          ehr: {ack: constant(1s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {discipline: priority}
        """,
    # The outage world on 6 connections and 5 patients: retries overtake newer messages.
    "reorder": """
        extends: outage.yaml
        name: reorder
        patients: 5
        systems:
          lab: {connections: 6}
        """,
    # Two strict channels, each plugged by a poison message at the same time; one analyst.
    "poison2": """
        name: poison2
        horizon: 3h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 12/min}
          rad-orders: {from: ehr, to: rad, rate: 12/min}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {order: strict}
        faults:
          - {kind: poison-message, target: lab, at: +30min}
          - {kind: poison-message, target: rad, at: +30min}
        staff:
          analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: false}
        """,
    # One flow at 1/s to a lab with 200 ms ACKs, nothing wrong: faults are laid on it.
    "calm": """
        name: calm
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # An engine of two nodes whose active node crashes for 30 minutes, after a lab outage
    # has queued five minutes of messages.
    "crash": """
        name: crash
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
        engine: {nodes: 2, cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +5min, for: 10min}
          - {kind: node-crash, at: +10min, for: 30min}
        """,
    # The lab down for 20 minutes, giving messages up after two sends; radiology down later;
    # an analyst reprocesses the dead letters.
    "cleanup": """
        name: cleanup
        horizon: 90min
        flows:
          orders: {from: ehr, to: lab, rate: 1/s}
          scans: {from: ehr, to: rad, rate: 6/min}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        strategy:
          retry: {backoff: immediate, attempts: 2, then: dead-letter}
        faults:
          - {kind: system-outage, target: lab, at: +10min, for: 20min}
          - {kind: system-outage, target: rad, at: +40min, for: 5min}
        staff:
          analysts: {count: 1, respond: 5min, fix: constant(5min), start_on_alert: false}
        """,
    # One message, poisoned as it is sent; its refusal would come after 2 s.
    "poison1": """
        name: poison1
        horizon: 1min
        flows:
          orders:
            from: ehr
            to: lab
            trace: [{time: 0, priority: routine, patient: 1}]
        systems:
          lab: {ack: constant(2s), timeout: 30s}
        engine: {cores: 8, transform: constant(1ms)}
        strategy:
          on_reply: {AE: dead-letter, timeout: dead-letter}
        faults:
          - {kind: poison-message, target: lab, at: +0s}
        """,
    # Two destinations down at the same time: the outage world twice.
    "pair": """
        name: pair
        horizon: 90min
        flows:
          lab-orders: {from: ehr, to: lab, rate: 1/s}
          rad-orders: {from: ehr, to: rad, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +10min, for: 20min}
          - {kind: system-outage, target: rad, at: +10min, for: 20min}
        """,
    # Two destinations, each plugged by a poison message, nobody to fix them.
    "pairnak": """
        name: pairnak
        horizon: 1h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 1/s}
          rad-orders: {from: ehr, to: rad, rate: 1/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          rad: {ack: constant(200ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: poison-message, target: lab, at: +10min}
          - {kind: poison-message, target: rad, at: +10min}
        """,
    # The burst world twice: four messages each to the lab and to radiology.
    "burst2": """
        name: burst2
        horizon: 10min
        flows:
          lab-orders:
            from: ehr
            to: lab
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 1, priority: routine, patient: 2}
              - {time: 2, priority: routine, patient: 3}
              - {time: 3, priority: routine, patient: 4}
          rad-orders:
            from: ehr
            to: rad
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 1, priority: routine, patient: 2}
              - {time: 2, priority: routine, patient: 3}
              - {time: 3, priority: routine, patient: 4}
        systems:
          lab: {ack: constant(10s), timeout: 1h}
          rad: {ack: constant(10s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        """,
    # A lab and MedCom: letters to MedCom take 2 s each, more than one connection can carry.
    "medcom": """
        name: medcom
        horizon: 1h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 1/s}
          letters: {from: ehr, to: medcom, rate: 0.4/s}
        systems:
          lab: {ack: constant(200ms), timeout: 5s}
          medcom: {ack: constant(2s), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {order: strict}
        """,
    # The shipped topology, named as `ehrsim list` prints it, from outside the repository.
    "shipped-child": """
        extends: topologies/capital-region
        name: shipped-child
        horizon: 1min
        """,
}

FILES: dict[str, str] = {
    "t3.csv": "time,priority,patient\n0,routine,1\n20,routine,2\n40,routine,3\n",
}
"""Data files the worlds name, written beside them."""
