"""mmsim: a test double of the Mattermost plugin API and of the Marketplace service."""
