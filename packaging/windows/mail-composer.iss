; Inno Setup script: per-user install of the PyInstaller onedir build (no admin rights),
; Start-menu entry, mailto: handler and .eml "Open with", clean uninstall.
; Build (on Windows, after `pyinstaller packaging\mail-composer.spec`):
;   iscc /DAppVersion=0.1.0 packaging\windows\mail-composer.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Mail Composer"
#define AppExe "mail-composer.exe"
#define AppId "org.mailcomposer.MailComposer"

[Setup]
AppId={{6F1C2B8E-3C57-4E0B-9C5F-0D7A4A2E61B3}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Mail Composer developers
DefaultDirName={localappdata}\Programs\Mail Composer
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\out
OutputBaseFilename=mail-composer-{#AppVersion}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\{#AppExe}
ChangesAssociations=yes

[Files]
Source: "..\out\dist\mail-composer\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Registry]
; Registered application (Default Programs) with mailto and .eml capabilities.
Root: HKCU; Subkey: "Software\Clients\Mail\{#AppName}"; ValueType: string; ValueName: ""; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"
Root: HKCU; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Write email drafts online or offline"
Root: HKCU; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities\URLAssociations"; ValueType: string; ValueName: "mailto"; ValueData: "{#AppId}.mailto"
Root: HKCU; Subkey: "Software\Clients\Mail\{#AppName}\Capabilities\FileAssociations"; ValueType: string; ValueName: ".eml"; ValueData: "{#AppId}.eml"
Root: HKCU; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "Software\Clients\Mail\{#AppName}\Capabilities"; Flags: uninsdeletevalue
; mailto: handler class
Root: HKCU; Subkey: "Software\Classes\{#AppId}.mailto"; ValueType: string; ValueName: ""; ValueData: "URL:MailTo Protocol"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#AppId}.mailto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\{#AppId}.mailto\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; .eml "Open with"
Root: HKCU; Subkey: "Software\Classes\{#AppId}.eml"; ValueType: string; ValueName: ""; ValueData: "Email message"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#AppId}.eml\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\.eml\OpenWithProgids"; ValueType: none; ValueName: "{#AppId}.eml"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent
