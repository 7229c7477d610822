/** One event the simulation produced: when it happens, where it goes, and its `data`. */
export interface SimulatedEvent {
  /** Simulated wall-clock time, milliseconds since the epoch. */
  readonly time: number;
  /** The MQTT topic, built by the event type's topic template. */
  readonly topic: string;
  /** CloudEvents type, e.g. `gerrit.comment-added`. */
  readonly type: string;
  /** Publishing service (the topic's first level), e.g. `gerrit`. */
  readonly service: string;
  /** The upstream service's own payload; becomes the envelope's `data`. */
  readonly data: unknown;
}
