; Inno Setup 6.3+ script: installs the PyInstaller onedir build for the current user (no
; admin rights) or, if chosen in the dialog, for all users; Start-menu entry, the mailto:
; handler and .eml "Open with" (Default Apps capabilities), clean uninstall and upgrade.
; Build (on Windows, after `python packaging\render_icons.py` and
; `pyinstaller packaging\mail-composer.spec`):
;   iscc /DAppVersion=0.1.0 packaging\windows\mail-composer.iss
; Optional: /DOutputSuffix=-unsigned (file name of unsigned builds), and /DUseSignTool with
; /Smcsign="signtool sign ... $f" to sign the installer and its uninstaller.
;
; Paths and registry follow the install mode: {autopf} is %LOCALAPPDATA%\Programs for a
; per-user install and Program Files for all users, and HKA is HKCU or HKLM to match, so
; the handlers point at the folder that was really installed, for the right users.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef OutputSuffix
  #define OutputSuffix ""
#endif
#define AppName "Mail Composer"
; the windowed program (Start menu, handlers); mail-composer.exe beside it is the console one
#define AppExe "Mail Composer.exe"
#define AppId "org.mailcomposer.MailComposer"

[Setup]
AppId={{6F1C2B8E-3C57-4E0B-9C5F-0D7A4A2E61B3}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Mail Composer developers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\out
OutputBaseFilename=mail-composer-{#AppVersion}-windows-x64-setup{#OutputSuffix}
SetupIconFile=..\out\mail-composer.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes
#ifdef UseSignTool
SignTool=mcsign
SignedUninstaller=yes
#endif

[InstallDelete]
; An upgrade replaces the whole bundle: files an older version had and this one does not
; (a dropped library or plugin) must not be loaded by the new one.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\out\dist\mail-composer\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\{#AppExe}"; AppUserModelID: "{#AppId}"

[Registry]
; Registered application (Settings > Default apps) with mailto and .eml capabilities.
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}"; ValueType: string; ValueName: ""; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"""
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Write email drafts online or offline"
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationIcon"; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities\URLAssociations"; ValueType: string; ValueName: "mailto"; ValueData: "{#AppId}.mailto"
Root: HKA; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities\FileAssociations"; ValueType: string; ValueName: ".eml"; ValueData: "{#AppId}.eml"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "Software\Clients\Mail\{#AppName}\Capabilities"; Flags: uninsdeletevalue
; mailto: handler class (ProgID)
Root: HKA; Subkey: "Software\Classes\{#AppId}.mailto"; ValueType: string; ValueName: ""; ValueData: "URL:MailTo Protocol"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.mailto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\{#AppId}.mailto\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.mailto\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; .eml "Open with" (ProgID)
Root: HKA; Subkey: "Software\Classes\{#AppId}.eml"; ValueType: string; ValueName: ""; ValueData: "Email message"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#AppId}.eml\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\{#AppId}.eml\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.eml\OpenWithProgids"; ValueType: none; ValueName: "{#AppId}.eml"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent
