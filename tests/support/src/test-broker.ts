import {
  createBroker,
  type BrokerConfigInput,
  type CreateBrokerOptions,
  type FirehoseBroker,
} from '@firehose/broker';

/** MQTT and WebSocket on loopback, each on a free port (`broker.url('mqtt')` says which). */
const LOOPBACK_LISTENERS: BrokerConfigInput['listeners'] = {
  mqtt: { host: '127.0.0.1', port: 0 },
  ws: { host: '127.0.0.1', port: 0 },
};

/**
 * A real broker for a test, listening: MQTT and WebSocket on loopback port 0 unless `config`
 * names its own `listeners`; every other key as given. The caller closes it (each package's test
 * helpers register `broker.close()` with their cleanup, since a broker may outlive one test).
 */
export async function startTestBroker(
  config: BrokerConfigInput = {},
  options: CreateBrokerOptions = {},
): Promise<FirehoseBroker> {
  const broker = await createBroker({ listeners: LOOPBACK_LISTENERS, ...config }, options);
  try {
    await broker.listen();
  } catch (error) {
    await broker.close();
    throw error;
  }
  return broker;
}
