"""Publish one message with Eclipse paho-mqtt (1.6, Debian's python3-paho-mqtt) as a service account.

Usage: paho-publish.py HOST PORT USERNAME PASSWORD TOPIC QOS < payload

Prints one JSON line: {"connack": rc, "published": bool, "packets": [...]}, where packets lists
paho's own log of the QoS exchange (PUBACK for QoS 1; PUBREC, PUBREL, PUBCOMP for QoS 2).
Exits 0 only when the exchange completed within 10 s.
"""
import json
import sys
import threading

import paho.mqtt.client as mqtt


def main():
    host, port, username, password, topic, qos = sys.argv[1:7]
    payload = sys.stdin.buffer.read()
    client = mqtt.Client(protocol=mqtt.MQTTv311, clean_session=True)
    client.username_pw_set(username, password)
    packets = []
    client.on_log = lambda _c, _u, _level, line: packets.append(line) if line.startswith(("Sending PUB", "Received PUB")) else None
    connack = {}
    connected = threading.Event()

    def on_connect(_c, _u, _flags, rc):
        connack["rc"] = rc
        connected.set()

    client.on_connect = on_connect
    client.connect(host, int(port), keepalive=30)
    client.loop_start()
    published = False
    if connected.wait(10) and connack["rc"] == 0:
        info = client.publish(topic, payload, qos=int(qos))
        info.wait_for_publish(timeout=10)
        published = info.is_published()
        client.disconnect()
    client.loop_stop()
    print(json.dumps({"connack": connack.get("rc"), "published": published, "packets": packets}), flush=True)
    sys.exit(0 if published else 1)


if __name__ == "__main__":
    main()
