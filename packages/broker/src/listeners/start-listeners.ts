import type { BrokerConfig } from '../config/types.js';
import { startHttpListener, type HttpEndpoints } from './http-listener.js';
import type { ListenerHost, RunningListener } from './listener.js';
import { startMqttListener } from './mqtt-listener.js';
import { startWsListener } from './ws-listener.js';

/**
 * Starts every configured listener, MQTT and WebSocket first, HTTP last. Each one is pushed onto
 * `running` as soon as it is bound, so when a later one fails the caller still closes the earlier.
 */
export async function startListeners(
  running: RunningListener[],
  host: ListenerHost,
  config: BrokerConfig,
  http: HttpEndpoints,
): Promise<void> {
  const maxPacket = config.limits.maxPacketBytes;
  const listeners = config.listeners;
  for (const settings of listeners.mqtt) running.push(await startMqttListener(host, settings, false));
  for (const settings of listeners.mqtts) running.push(await startMqttListener(host, settings, true));
  for (const settings of listeners.ws) running.push(await startWsListener(host, settings, false, maxPacket));
  for (const settings of listeners.wss) running.push(await startWsListener(host, settings, true, maxPacket));
  for (const settings of listeners.http) running.push(await startHttpListener(settings, http));
}
