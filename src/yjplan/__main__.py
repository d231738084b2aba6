from yjplan.cli import main

if __name__ == "__main__":  # worker processes may import this module: only run when executed
    main()
