/** A person (or bot) as Gerrit and Launchpad show them. Fictional names; realistic shapes. */
export interface Person {
  readonly name: string;
  readonly username: string;
  readonly email: string;
}

function person(name: string, username: string, domain = 'example.org'): Person {
  return { name, username, email: `${username}@${domain}` };
}

/** Contributors: upload changes, review, file bugs. */
export const contributors: readonly Person[] = [
  person('Ana Ferreira', 'aferreira'),
  person('Kenji Watanabe', 'kwatanabe', 'example.jp'),
  person('Priya Raman', 'praman', 'example.in'),
  person('Lars Petersen', 'lpetersen', 'example.dk'),
  person('Mei Lin', 'meilin', 'example.cn'),
  person('Tomás Ortega', 'tortega', 'example.es'),
  person('Fatima Haddad', 'fhaddad'),
  person('Oleg Ivanov', 'oivanov'),
  person('Grace Okafor', 'gokafor', 'example.ng'),
  person('Jonas Berg', 'jberg', 'example.se'),
  person('Chloé Martin', 'cmartin', 'example.fr'),
  person('Ravi Shankar', 'rshankar'),
  person('Emma Schulz', 'eschulz', 'example.de'),
  person('Diego Alvarez', 'dalvarez'),
  person('Hana Novak', 'hnovak', 'example.cz'),
  person('Samuel Mensah', 'smensah'),
];

/** Core reviewers: the ones whose +2 and Workflow+1 send a change to the gate. */
export const coreReviewers: readonly Person[] = [
  person('Ingrid Solberg', 'isolberg', 'example.no'),
  person('Marco Bianchi', 'mbianchi', 'example.it'),
  person('Yuki Tanaka', 'ytanaka', 'example.jp'),
  person('Patrick Byrne', 'pbyrne', 'example.ie'),
  person('Sofia Rossi', 'srossi', 'example.it'),
  person('Aleksander Nowak', 'anowak', 'example.pl'),
];

/** The CI system's Gerrit account: it posts the Verified votes and submits gated changes. */
export const zuulAccount: Person = { name: 'Zuul', username: 'zuul', email: 'zuul@opendev.org' };

/** Bots that upload routine changes (translations, requirement bumps). */
export const proposalBot: Person = {
  name: 'OpenStack Proposal Bot',
  username: 'proposal-bot',
  email: 'openstack-infra@lists.openstack.org',
};

/** Infra operators: run playbooks, push config. */
export const operators: readonly Person[] = [
  person('Clark Ridley', 'cridley'),
  person('Jeremy Stanton', 'jstanton'),
  person('Ian Whitfield', 'iwhitfield'),
];
