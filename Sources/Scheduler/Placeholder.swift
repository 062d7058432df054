// Placeholder until the scheduler lands; deleted then.
