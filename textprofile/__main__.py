from textprofile.cli.app import main

main()
