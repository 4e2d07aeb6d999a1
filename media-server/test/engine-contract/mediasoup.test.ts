// The engine contract (contract.ts) against the mediasoup engine.
import { engineContract } from './contract';
import { ENGINES } from './engines';

engineContract(ENGINES.find((e) => e.name === 'mediasoup')!);
