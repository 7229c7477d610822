"""Subscribe with Eclipse paho-mqtt (1.6, Debian's python3-paho-mqtt) and print what arrives.

Usage: paho-subscribe.py HOST PORT FILTER [QOS] [tcp|websockets]

Connects anonymously (MQTT 3.1.1, clean session), subscribes to FILTER and prints one JSON object
per line: {"subscribed": [granted QoS]} once the SUBACK arrives, then {"topic", "payload", "qos"}
for every message. Runs until killed; a refused CONNACK prints {"connack": rc} and exits 2.
"""
import json
import sys

import paho.mqtt.client as mqtt


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    host, port, topic_filter = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    qos = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    transport = sys.argv[5] if len(sys.argv) > 5 else "tcp"
    client = mqtt.Client(protocol=mqtt.MQTTv311, transport=transport, clean_session=True)
    if transport == "websockets":
        client.ws_set_options(path="/mqtt")

    def on_connect(c, _userdata, _flags, rc):
        if rc != 0:
            emit({"connack": rc})
            sys.exit(2)
        c.subscribe(topic_filter, qos)

    client.on_connect = on_connect
    client.on_subscribe = lambda _c, _u, _mid, granted: emit({"subscribed": list(granted)})
    client.on_message = lambda _c, _u, msg: emit(
        {"topic": msg.topic, "payload": msg.payload.decode("utf-8", "replace"), "qos": msg.qos}
    )
    client.connect(host, port, keepalive=30)
    client.loop_forever()


if __name__ == "__main__":
    main()
