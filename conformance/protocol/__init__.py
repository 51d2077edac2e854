"""What the Rayo protocol is made of: namespaces per dialect, JIDs, stanzas, schemas."""
