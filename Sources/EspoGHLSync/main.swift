import CLI

await Root.start()
