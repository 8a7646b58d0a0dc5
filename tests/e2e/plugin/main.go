// The server part of the end-to-end test plugin: it starts, stays up and does nothing else.
// The collection is tested on what Mattermost does with a plugin (install, start, settings,
// signatures), not on what the plugin does.
package main

import (
	"github.com/mattermost/mattermost/server/public/plugin"
)

type testPlugin struct {
	plugin.MattermostPlugin
}

func main() {
	plugin.ClientMain(&testPlugin{})
}
