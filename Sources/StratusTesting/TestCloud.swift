// TestCloud comes next
