from mlkatas.cli.app import main

main()
