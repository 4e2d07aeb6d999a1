// The engine contract (contract.ts) against the werift engine.
import { engineContract } from './contract';
import { ENGINES } from './engines';

engineContract(ENGINES.find((e) => e.name === 'werift')!);
