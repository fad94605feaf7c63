// Placeholder so `npm ci && npm start` works from the first commit; the simulator replaces it.
console.log("relaymq: the simulator is not built yet (it arrives with the simulator issue).");
