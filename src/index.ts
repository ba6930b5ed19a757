// Action entry point: everything happens in main(); this file only starts it.
import { main } from './main.js';

await main();
