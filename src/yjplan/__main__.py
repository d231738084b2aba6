from yjplan.cli import main

main()
