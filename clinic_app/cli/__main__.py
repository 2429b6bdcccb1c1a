from clinic_app.cli.main import main

raise SystemExit(main())
