from vigilo_gen.cli import main

main()
