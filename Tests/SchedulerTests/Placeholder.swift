// Placeholder until the scheduler tests land; deleted then.
